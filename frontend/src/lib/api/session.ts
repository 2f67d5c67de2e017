// Log in, log out, and find out whether a session is live.
import { isLocale, setLocale } from '$lib/i18n/index.svelte';
import { auth } from '$lib/stores/auth.svelte';
import type { SessionInfo } from './types';
import { ApiProblem } from './client';
import { api, unwrap } from './index';

export async function login(username: string, password: string): Promise<void> {
	signedIn(await unwrap(api.POST('/api/session/login', { body: { username, password } })));
}

export async function logout(): Promise<void> {
	try {
		await unwrap(api.POST('/api/session/logout'));
	} finally {
		auth.signedOut();
	}
}

/** Resolve the session once per page load: true when logged in. */
export async function checkSession(): Promise<boolean> {
	if (auth.status === 'in') return true;
	if (!auth.hinted) {
		auth.signedOut();
		return false;
	}
	try {
		signedIn(await unwrap(api.GET('/api/session/me')));
		return true;
	} catch (error) {
		if (error instanceof ApiProblem && error.status === 401) {
			auth.signedOut();
			return false;
		}
		throw error;
	}
}

/** A user who chose a language gets it in every browser they log in from. */
function signedIn(info: SessionInfo): void {
	auth.signedIn(info);
	if (isLocale(info.user.language)) setLocale(info.user.language);
}
