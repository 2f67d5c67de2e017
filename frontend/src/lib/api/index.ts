// The app's API client: same origin, CSRF token from the session, a 401 ends the session in the UI.
import { auth } from '$lib/stores/auth.svelte';
import { makeClient } from './client';

export { ApiProblem, errorText, unwrap } from './client';

export const api = makeClient({
	baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
	getCsrfToken: () => auth.csrfToken,
	onUnauthorized: () => auth.signedOut()
});

/** Where the API serves a document's files (used as plain links and image sources). */
export const documentFiles = {
	original: (id: number) => `/api/documents/${id}/file`,
	thumbnail: (id: number) => `/api/documents/${id}/thumbnail`,
	preview: (id: number) => `/api/documents/${id}/preview`,
	searchablePdf: (id: number) => `/api/documents/${id}/searchable-pdf`
};
