// Server-sent events of POST /api/ask?stream=true: `delta` {text}…, then `answer` or `error`.

export interface SseEvent {
	event: string;
	data: unknown;
}

/** The complete events in `buffer` and what is left of it (an event still arriving). */
export function parseEvents(buffer: string): { events: SseEvent[]; rest: string } {
	const events: SseEvent[] = [];
	const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
	const rest = blocks.pop() ?? '';
	for (const block of blocks) {
		let event = 'message';
		const data: string[] = [];
		for (const line of block.split('\n')) {
			if (line.startsWith('event:')) event = line.slice(6).trim();
			else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
		}
		if (!data.length) continue;
		try {
			events.push({ event, data: JSON.parse(data.join('\n')) });
		} catch {
			events.push({ event, data: data.join('\n') });
		}
	}
	return { events, rest };
}

/** The answer split into text and citation markers, so each [n] can be a link. */
export function answerParts(answer: string): { text: string; n: number | null }[] {
	const parts: { text: string; n: number | null }[] = [];
	let last = 0;
	for (const match of answer.matchAll(/\[(\d+)\]/g)) {
		if (match.index > last) parts.push({ text: answer.slice(last, match.index), n: null });
		parts.push({ text: match[0], n: Number(match[1]) });
		last = match.index + match[0].length;
	}
	if (last < answer.length) parts.push({ text: answer.slice(last), n: null });
	return parts;
}

/** Where the quote sits in the text: exact, else its first sentence, else nowhere. */
export function locate(text: string, quote: string): { start: number; end: number } | null {
	for (const candidate of [quote, quote.split(/(?<=[.!?。])\s+/)[0] ?? '']) {
		const needle = candidate.trim();
		if (!needle) continue;
		const start = text.indexOf(needle);
		if (start >= 0) return { start, end: start + needle.length };
	}
	return null;
}
