// Which rows of a list are ticked, for bulk actions.
import { SvelteSet } from 'svelte/reactivity';

export class Selection<K> {
	readonly keys = new SvelteSet<K>();

	has(key: K): boolean {
		return this.keys.has(key);
	}

	toggle(key: K, on = !this.keys.has(key)): void {
		if (on) this.keys.add(key);
		else this.keys.delete(key);
	}

	get size(): number {
		return this.keys.size;
	}

	/** 'all', 'some' or 'none' of `visible` are ticked (for a header checkbox). */
	state(visible: readonly K[]): 'all' | 'some' | 'none' {
		const ticked = visible.filter((k) => this.keys.has(k)).length;
		if (ticked === 0) return 'none';
		return ticked === visible.length ? 'all' : 'some';
	}

	/** Tick every visible row, or clear them all when every one is ticked already. */
	toggleAll(visible: readonly K[]): void {
		const all = this.state(visible) === 'all';
		for (const k of visible) this.toggle(k, !all);
	}

	/** Forget keys no longer listed. */
	retain(visible: readonly K[]): void {
		const keep = new Set(visible);
		for (const k of [...this.keys]) if (!keep.has(k)) this.keys.delete(k);
	}

	clear(): void {
		this.keys.clear();
	}

	values(): K[] {
		return [...this.keys];
	}
}
