import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { CATALOGUES, detectLocale, LOCALES, translate } from './index.svelte';
import { ko } from './ko';

/** The argument names a message uses, with their ICU types (plural, number, select…). */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
	for (const el of elements) {
		if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(`${el.value}`);
		if (el.type === TYPE.plural || el.type === TYPE.select) {
			out.add(`${el.value}:${el.type === TYPE.plural ? 'plural' : 'select'}`);
			for (const option of Object.values(el.options)) argumentsOf(option.value, out);
		}
		if (el.type === TYPE.tag) argumentsOf(el.children, out);
	}
	return out;
}

describe('the message catalogue', () => {
	it('has every key in both languages', () => {
		const enKeys = Object.keys(en).sort();
		for (const locale of LOCALES) {
			const keys = Object.keys(CATALOGUES[locale]).sort();
			expect(
				enKeys.filter((k) => !keys.includes(k)),
				`keys missing in ${locale}`
			).toEqual([]);
			expect(
				keys.filter((k) => !enKeys.includes(k)),
				`keys in ${locale} that English lacks`
			).toEqual([]);
		}
	});

	it('has no empty message and every message parses', () => {
		for (const locale of LOCALES) {
			for (const [key, text] of Object.entries(CATALOGUES[locale])) {
				expect(text.trim(), `${locale} ${key}`).not.toBe('');
				expect(() => parse(text), `${locale} ${key}: ${text}`).not.toThrow();
			}
		}
	});

	it('uses the same arguments in both languages', () => {
		for (const [key, text] of Object.entries(en)) {
			const mine = [...argumentsOf(parse(text))].sort();
			const theirs = [...argumentsOf(parse(ko[key as keyof typeof ko]))].sort();
			// Korean has no plural forms: a plural in English may be a plain number there, with the same name
			const bare = (names: string[]) => [...new Set(names.map((n) => n.split(':')[0]))].sort();
			expect(bare(theirs), `arguments of ${key}`).toEqual(bare(mine));
		}
	});

	it('is translated: Korean messages are not English copies (apart from names and symbols)', () => {
		const same = Object.entries(en).filter(([key, text]) => /[a-z]{4,}/.test(text.replace(/\{[^}]*\}|`[^`]*`/g, '')) && ko[key as keyof typeof ko] === text);
		expect(same.map(([key]) => key)).toEqual([]);
	});
});

describe('formatting in both languages', () => {
	it('plurals and numbers', () => {
		expect(translate('en', 'unit.minS', { m: 3, s: 5 })).toBe('3 min 5 s');
		expect(translate('ko', 'unit.minS', { m: 3, s: 5 })).toBe('3분 5초');
		expect(translate('en', 'time.ago', { time: '5 min' })).toBe('5 min ago');
		expect(translate('ko', 'time.ago', { time: '5분' })).toBe('5분 전');
	});

	it('the browser picks the language', () => {
		expect(detectLocale(['ko-KR', 'en-US'])).toBe('ko');
		expect(detectLocale(['fr-FR', 'ko'])).toBe('ko');
		expect(detectLocale(['de-DE'])).toBe('en');
		expect(detectLocale([])).toBe('en');
	});
});
