import { describe, expect, it } from 'vitest';
import { ApiProblem } from '$lib/api/client';
import type { UploadAnswer } from '$lib/api/upload';
import { UploadQueue, type UploadItem } from './uploads.svelte';

interface Call {
	file: File;
	progress: (loaded: number, total: number) => void;
	signal: AbortSignal;
	resolve: (answer: UploadAnswer) => void;
	reject: (error: unknown) => void;
}

function harness(concurrency = 2) {
	const calls: Call[] = [];
	const finished: UploadItem[] = [];
	const queue = new UploadQueue(
		(file, progress, signal) =>
			new Promise<UploadAnswer>((resolve, reject) => {
				calls.push({ file, progress, signal, resolve, reject });
				signal.addEventListener('abort', () => reject(new ApiProblem(0, 'aborted', 'cancelled')));
			}),
		concurrency,
		(item) => finished.push({ ...item })
	);
	return { queue, calls, finished };
}

const file = (name: string, size = 100) => new File([new Uint8Array(size)], name);
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('UploadQueue', () => {
	it('uploads a few at a time and records each outcome', async () => {
		const { queue, calls, finished } = harness(2);
		queue.add([file('a.pdf'), file('b.pdf'), file('c.pdf')]);
		expect(calls.map((c) => c.file.name)).toEqual(['a.pdf', 'b.pdf']);
		expect(queue.items.map((i) => i.status)).toEqual(['uploading', 'uploading', 'queued']);
		expect(queue.busy).toBe(true);

		calls[0]!.progress(50, 100);
		expect(queue.items[0]!.loaded).toBe(50);
		expect(queue.progress).toBeCloseTo(50 / 300);

		calls[0]!.resolve({ status: 'added', document_id: 11, original_name: 'a.pdf', note: null });
		await tick();
		expect(queue.items[0]).toMatchObject({ status: 'added', documentId: 11, loaded: 100 });
		expect(calls.map((c) => c.file.name)).toEqual(['a.pdf', 'b.pdf', 'c.pdf']);

		calls[1]!.resolve({ status: 'duplicate', document_id: 4, note: 'same content as document 4' });
		calls[2]!.reject(new ApiProblem(415, 'unsupported', 'not a document', 'upload a PDF'));
		await tick();
		expect(queue.items.map((i) => i.status)).toEqual(['added', 'duplicate', 'failed']);
		expect(queue.items[1]!.message).toBe('same content as document 4');
		expect(queue.items[2]!.message).toBe('not a document — upload a PDF');
		expect(finished.map((i) => i.status)).toEqual(['added', 'duplicate', 'failed']);
		expect(queue.busy).toBe(false);

		queue.clearFinished();
		expect(queue.items).toEqual([]);
	});

	it('cancels queued and running uploads', async () => {
		const { queue, calls } = harness(1);
		queue.add([file('a.pdf'), file('b.pdf')]);
		const [first, second] = queue.items;
		queue.cancel(second!.id);
		expect(queue.items[1]!.status).toBe('cancelled');
		queue.cancel(first!.id);
		expect(calls[0]!.signal.aborted).toBe(true);
		await tick();
		expect(queue.items[0]!.status).toBe('cancelled');
		expect(calls).toHaveLength(1); // the cancelled one never started
	});
});
