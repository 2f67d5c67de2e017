// Who is logged in, and the session's CSRF token (kept in memory only; the session cookie is HttpOnly).
// A flag in localStorage remembers that a login happened in this browser, so a first visit goes
// straight to the login page instead of asking the API (and getting a 401) first.
import type { SessionInfo, UserOut } from '$lib/api/types';

export const SESSION_HINT_KEY = 'docmill.session';

export type AuthStatus = 'unknown' | 'in' | 'out';

export class AuthState {
	user = $state<UserOut | null>(null);
	csrfToken = $state<string | null>(null);
	expiresAt = $state<string | null>(null);
	status = $state<AuthStatus>('unknown');

	constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null) {}

	/** Whether this browser logged in before (and did not log out). */
	get hinted(): boolean {
		try {
			return this.storage?.getItem(SESSION_HINT_KEY) === '1';
		} catch {
			return false;
		}
	}

	signedIn(info: SessionInfo): void {
		this.user = info.user;
		this.csrfToken = info.csrf_token;
		this.expiresAt = info.expires_at ?? null;
		this.status = 'in';
		this.remember(true);
	}

	signedOut(): void {
		this.user = null;
		this.csrfToken = null;
		this.expiresAt = null;
		this.status = 'out';
		this.remember(false);
	}

	private remember(on: boolean): void {
		try {
			if (on) this.storage?.setItem(SESSION_HINT_KEY, '1');
			else this.storage?.removeItem(SESSION_HINT_KEY);
		} catch {
			// storage can be disabled; the hint is only an optimisation
		}
	}
}

function browserStorage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null;
	}
}

export const auth = new AuthState(browserStorage());
