// Short messages about what an action did, read out by screen readers (the region is aria-live).

export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
	id: number;
	kind: ToastKind;
	text: string;
}

export class Toasts {
	items = $state<Toast[]>([]);
	private nextId = 1;

	constructor(private readonly lifetimeMs = 5000) {}

	show(text: string, kind: ToastKind = 'info'): number {
		const id = this.nextId++;
		this.items.push({ id, kind, text });
		if (this.items.length > 5) this.items.shift();
		// errors stay until dismissed: they may need reading
		if (kind !== 'error') setTimeout(() => this.dismiss(id), this.lifetimeMs);
		return id;
	}

	dismiss(id: number): void {
		this.items = this.items.filter((t) => t.id !== id);
	}
}

export const toasts = new Toasts();
