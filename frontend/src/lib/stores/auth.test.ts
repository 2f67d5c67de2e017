import { describe, expect, it } from 'vitest';
import { AuthState, SESSION_HINT_KEY } from './auth.svelte';

class MemoryStorage {
	data = new Map<string, string>();
	getItem(key: string) {
		return this.data.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		this.data.set(key, value);
	}
	removeItem(key: string) {
		this.data.delete(key);
	}
}

describe('AuthState', () => {
	it('keeps the CSRF token in memory and only a hint in storage', () => {
		const storage = new MemoryStorage();
		const auth = new AuthState(storage);
		expect([auth.status, auth.hinted]).toEqual(['unknown', false]);
		auth.signedIn({
			user: { id: 1, username: 'admin', is_admin: true },
			method: 'session',
			csrf_token: 'secret-csrf',
			expires_at: '2030-01-01T00:00:00Z'
		});
		expect([auth.status, auth.csrfToken, auth.user?.username, auth.hinted]).toEqual(['in', 'secret-csrf', 'admin', true]);
		expect([...storage.data.values()].join()).not.toContain('secret-csrf');
		auth.signedOut();
		expect([auth.status, auth.csrfToken, auth.user, auth.hinted]).toEqual(['out', null, null, false]);
		expect(storage.data.has(SESSION_HINT_KEY)).toBe(false);
	});

	it('works without storage', () => {
		const auth = new AuthState(null);
		auth.signedOut();
		expect(auth.hinted).toBe(false);
	});
});
