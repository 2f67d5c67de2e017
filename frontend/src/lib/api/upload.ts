// POST /api/documents with upload progress: fetch cannot report upload progress, XMLHttpRequest can.
import { ApiProblem, CSRF_HEADER, networkProblem, problemFrom } from './client';
import type { paths } from './types';

type UploadOperation = paths['/api/documents']['post'];
export type UploadAnswer =
	| UploadOperation['responses'][201]['content']['application/json']
	| UploadOperation['responses'][200]['content']['application/json'];

export const UPLOAD_URL = '/api/documents';
export const UPLOAD_FIELD = 'file'; // the multipart field the API reads

export interface UploadOptions {
	csrfToken: string | null;
	onProgress?: (loaded: number, total: number) => void;
	signal?: AbortSignal;
	/** For tests: how to make the request object. */
	createRequest?: () => XMLHttpRequest;
}

export function uploadFile(file: Blob & { name?: string }, options: UploadOptions): Promise<UploadAnswer> {
	return new Promise((resolve, reject) => {
		const xhr = options.createRequest ? options.createRequest() : new XMLHttpRequest();
		xhr.open('POST', UPLOAD_URL);
		xhr.responseType = 'text';
		xhr.withCredentials = true;
		if (options.csrfToken) xhr.setRequestHeader(CSRF_HEADER, options.csrfToken);
		xhr.upload.onprogress = (event: ProgressEvent) => {
			options.onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
		};
		xhr.onload = () => {
			let body: unknown = null;
			try {
				body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				body = null;
			}
			if (xhr.status === 200 || xhr.status === 201) {
				options.onProgress?.(file.size, file.size);
				resolve(body as UploadAnswer);
			} else {
				reject(problemFrom(xhr.status, body));
			}
		};
		xhr.onerror = () => reject(networkProblem(new TypeError('network error')));
		xhr.onabort = () => reject(new ApiProblem(0, 'aborted', 'the upload was cancelled'));
		if (options.signal) {
			if (options.signal.aborted) {
				reject(new ApiProblem(0, 'aborted', 'the upload was cancelled'));
				return;
			}
			options.signal.addEventListener('abort', () => xhr.abort(), { once: true });
		}
		const form = new FormData();
		form.append(UPLOAD_FIELD, file, file.name ?? 'upload');
		xhr.send(form);
	});
}
