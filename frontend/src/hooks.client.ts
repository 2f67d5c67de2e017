// A page that does not exist is a normal outcome (the 404 page says so and offers ways back), not an
// error for the console; anything else is still logged.
import type { HandleClientError } from '@sveltejs/kit';

export const handleError: HandleClientError = ({ error, status, message }) => {
	if (status !== 404) console.error(error);
	return { message };
};
