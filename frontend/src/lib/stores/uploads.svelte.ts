// The upload queue: files dropped or chosen go up a few at a time, each with its progress and outcome.
import { errorText } from '$lib/api/client';
import type { UploadAnswer } from '$lib/api/upload';

export type UploadStatus = 'queued' | 'uploading' | 'added' | 'duplicate' | 'in_trash' | 'failed' | 'cancelled';

export interface UploadItem {
	id: number;
	name: string;
	size: number;
	loaded: number;
	status: UploadStatus;
	documentId: number | null;
	message: string | null;
}

export type Uploader = (
	file: File,
	onProgress: (loaded: number, total: number) => void,
	signal: AbortSignal
) => Promise<UploadAnswer>;

export class UploadQueue {
	items = $state<UploadItem[]>([]);
	private files = new Map<number, File>();
	private controllers = new Map<number, AbortController>();
	private nextId = 1;
	private active = 0;

	constructor(
		private readonly upload: Uploader,
		private readonly concurrency = 2,
		private readonly onFinished?: (item: UploadItem) => void
	) {}

	get busy(): boolean {
		return this.items.some((i) => i.status === 'queued' || i.status === 'uploading');
	}

	/** Bytes sent over bytes to send, for the items still in flight or waiting (0..1). */
	get progress(): number {
		const open = this.items.filter((i) => i.status === 'queued' || i.status === 'uploading');
		const total = open.reduce((sum, i) => sum + i.size, 0);
		return total === 0 ? 1 : open.reduce((sum, i) => sum + i.loaded, 0) / total;
	}

	add(files: Iterable<File>): void {
		for (const file of files) {
			const id = this.nextId++;
			this.files.set(id, file);
			this.items.push({
				id,
				name: file.name,
				size: file.size,
				loaded: 0,
				status: 'queued',
				documentId: null,
				message: null
			});
		}
		this.pump();
	}

	cancel(id: number): void {
		const item = this.find(id);
		if (!item) return;
		if (item.status === 'queued') {
			item.status = 'cancelled';
			this.files.delete(id);
		}
		this.controllers.get(id)?.abort();
	}

	/** Forget finished uploads. */
	clearFinished(): void {
		this.items = this.items.filter((i) => i.status === 'queued' || i.status === 'uploading');
	}

	private find(id: number): UploadItem | undefined {
		return this.items.find((i) => i.id === id);
	}

	private pump(): void {
		while (this.active < this.concurrency) {
			const next = this.items.find((i) => i.status === 'queued');
			if (!next) return;
			void this.run(next.id);
		}
	}

	private async run(id: number): Promise<void> {
		const item = this.find(id);
		const file = this.files.get(id);
		if (!item || !file) return;
		const controller = new AbortController();
		this.controllers.set(id, controller);
		this.active++;
		item.status = 'uploading';
		try {
			const answer = await this.upload(
				file,
				(loaded) => {
					const current = this.find(id);
					if (current) current.loaded = Math.min(loaded, current.size);
				},
				controller.signal
			);
			const done = this.find(id);
			if (done) {
				done.loaded = done.size;
				done.status = answer.status;
				done.documentId = answer.document_id;
				done.message = answer.note ?? null;
			}
		} catch (error) {
			const failed = this.find(id);
			if (failed) {
				failed.status = controller.signal.aborted ? 'cancelled' : 'failed';
				failed.message = controller.signal.aborted ? null : errorText(error);
			}
		} finally {
			this.active--;
			this.files.delete(id);
			this.controllers.delete(id);
			const finished = this.find(id);
			if (finished) this.onFinished?.(finished);
			this.pump();
		}
	}
}
