// The feed form's interval field: minutes as typed (a number input gives a number, or '' when empty).

/** Seconds for the API from the "every … minutes" field; null when it is left empty (the server's default). */
export function intervalSeconds(minutes: string | number | null | undefined): number | null {
	if (minutes === null || minutes === undefined) return null;
	const text = String(minutes).trim();
	if (!text) return null;
	const value = Number(text);
	return Number.isFinite(value) ? Math.round(value * 60) : null;
}
