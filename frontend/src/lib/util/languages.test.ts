import { describe, expect, it } from 'vitest';
import { transcriptFlagValues, languageSourceValues } from '$lib/api/schema';
import { flagLabel, languageName, languageOptions, sourceLabel } from './languages';

describe('recording languages', () => {
	it('names common codes and passes others through', () => {
		expect(languageName('ko')).toBe('Korean (한국어)');
		expect(languageName('sw')).toBe('sw');
		expect(languageName(null)).toBe('unknown language');
	});

	it('offers the default first and keeps an unusual current language', () => {
		const codes = languageOptions('sw').map((o) => o.code);
		expect(codes[0]).toBe('');
		expect(codes).toContain('ko');
		expect(codes.at(-1)).toBe('sw');
		expect(languageOptions('ko').filter((o) => o.code === 'ko')).toHaveLength(1);
	});

	it('has a label for every flag and language source the API knows', () => {
		for (const flag of transcriptFlagValues) expect(flagLabel(flag)).not.toBe(flag);
		for (const source of languageSourceValues) expect(sourceLabel(source)).not.toBe(source);
	});
});
