// The account page moved into /settings (password, revoking tokens with it, tokens with an expiry); old links land there.
import { redirect } from '@sveltejs/kit';

export function load(): never {
	redirect(308, '/settings');
}
