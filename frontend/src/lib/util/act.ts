// One change made from a page: busy while it runs, a toast saying it was done (or what went wrong), then the
// page's data read again. `actions(load, setBusy)` gives a page its `act(work, done)`.
import { errorText } from '$lib/api/client';
import { toasts } from '$lib/stores/toasts.svelte';

export type Act = (work: () => Promise<unknown>, done: string) => Promise<boolean>;

export function actions(reload: () => Promise<void>, setBusy: (busy: boolean) => void): Act {
	return async (work, done) => {
		setBusy(true);
		try {
			await work();
			toasts.show(done, 'success');
			await reload();
			return true;
		} catch (e) {
			toasts.show(errorText(e), 'error');
			return false;
		} finally {
			setBusy(false);
		}
	};
}
