import { describe, expect, it } from 'vitest';
import { CSRF_HEADER } from './client';
import { UPLOAD_FIELD, UPLOAD_URL, uploadFile } from './upload';

/** A stand-in for XMLHttpRequest that records what is sent and answers when told. */
class FakeXhr {
	method = '';
	url = '';
	headers: Record<string, string> = {};
	body: FormData | null = null;
	status = 0;
	responseText = '';
	responseType = '';
	withCredentials = false;
	aborted = false;
	upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
	onload: (() => void) | null = null;
	onerror: (() => void) | null = null;
	onabort: (() => void) | null = null;

	open(method: string, url: string) {
		this.method = method;
		this.url = url;
	}
	setRequestHeader(name: string, value: string) {
		this.headers[name] = value;
	}
	send(body: FormData) {
		this.body = body;
	}
	abort() {
		this.aborted = true;
		this.onabort?.();
	}
	progress(loaded: number, total: number) {
		this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent);
	}
	answer(status: number, body: unknown) {
		this.status = status;
		this.responseText = JSON.stringify(body);
		this.onload?.();
	}
}

function file(size: number, name = 'paper.pdf'): File {
	return new File([new Uint8Array(size)], name, { type: 'application/pdf' });
}

describe('uploadFile', () => {
	it('posts the file as multipart with the CSRF token and reports progress', async () => {
		const xhr = new FakeXhr();
		const seen: Array<[number, number]> = [];
		const done = uploadFile(file(1000), {
			csrfToken: 'csrf-1',
			onProgress: (loaded, total) => seen.push([loaded, total]),
			createRequest: () => xhr as unknown as XMLHttpRequest
		});
		expect([xhr.method, xhr.url]).toEqual(['POST', UPLOAD_URL]);
		expect(xhr.headers[CSRF_HEADER]).toBe('csrf-1');
		const sent = xhr.body?.get(UPLOAD_FIELD);
		expect(sent).toBeInstanceOf(File);
		expect((sent as File).name).toBe('paper.pdf');
		xhr.progress(400, 1000);
		xhr.progress(1000, 1000);
		xhr.answer(201, { status: 'added', document_id: 7, original_name: 'paper.pdf', note: null });
		await expect(done).resolves.toMatchObject({ status: 'added', document_id: 7 });
		expect(seen[0]).toEqual([400, 1000]);
		expect(seen[seen.length - 1]).toEqual([1000, 1000]);
	});

	it('resolves a duplicate (200) too', async () => {
		const xhr = new FakeXhr();
		const done = uploadFile(file(10), { csrfToken: null, createRequest: () => xhr as unknown as XMLHttpRequest });
		expect(CSRF_HEADER in xhr.headers).toBe(false);
		xhr.answer(200, { status: 'duplicate', document_id: 3, note: 'same content as document 3' });
		await expect(done).resolves.toMatchObject({ status: 'duplicate', document_id: 3 });
	});

	it("rejects with the API's error", async () => {
		const xhr = new FakeXhr();
		const done = uploadFile(file(10), { csrfToken: 't', createRequest: () => xhr as unknown as XMLHttpRequest });
		xhr.answer(413, { error: { code: 'too_large', message: 'the file is larger than 512 MB', hint: 'upload a smaller file' } });
		await expect(done).rejects.toMatchObject({ status: 413, code: 'too_large', hint: 'upload a smaller file' });
	});

	it('aborts when the signal fires', async () => {
		const xhr = new FakeXhr();
		const controller = new AbortController();
		const done = uploadFile(file(10), {
			csrfToken: 't',
			signal: controller.signal,
			createRequest: () => xhr as unknown as XMLHttpRequest
		});
		controller.abort();
		await expect(done).rejects.toMatchObject({ code: 'aborted' });
		expect(xhr.aborted).toBe(true);
	});
});
