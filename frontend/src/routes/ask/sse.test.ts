import { describe, expect, it } from 'vitest';
import { answerParts, locate, parseEvents } from './sse';

describe('the ask stream', () => {
	it('reads complete events and keeps the one still arriving', () => {
		const { events, rest } = parseEvents('event: delta\ndata: {"text":"The "}\n\nevent: delta\ndata: {"text":"fee"}\n\nevent: ans');
		expect(events).toEqual([
			{ event: 'delta', data: { text: 'The ' } },
			{ event: 'delta', data: { text: 'fee' } }
		]);
		expect(rest).toBe('event: ans');
	});

	it('splits citation markers out of the answer', () => {
		expect(answerParts('It was $240 [1]. And [2]')).toEqual([
			{ text: 'It was $240 ', n: null },
			{ text: '[1]', n: 1 },
			{ text: '. And ', n: null },
			{ text: '[2]', n: 2 }
		]);
	});

	it('finds the quote in the document, or its first sentence', () => {
		const text = '# Bill\n\nThe plumber charged $240. Payment is due.';
		expect(locate(text, 'The plumber charged $240.')).toEqual({ start: 8, end: 33 });
		expect(locate(text, 'The plumber charged $240. Something reworded.')).toEqual({ start: 8, end: 33 });
		expect(locate(text, 'absent')).toBeNull();
	});
});
