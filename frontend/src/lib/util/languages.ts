// Languages a user can pick for a recording (the STT service reads ISO 639-1 codes), and labels for the
// flags the STT service puts on a transcript it does not trust. Codes come from the API; names are the UI's.
import { hasMessage, t } from '$lib/i18n/index.svelte';
import type { Schemas } from '$lib/api/types';

export type TranscriptFlag = Schemas['TranscriptFlag'];
export type LanguageSource = Schemas['LanguageSource'];

export interface LanguageOption {
	code: string; // '' is "the STT service's default"
	name: string;
}

export const COMMON_LANGUAGES: readonly LanguageOption[] = [
	{ code: 'en', name: 'English' },
	{ code: 'ko', name: 'Korean (한국어)' },
	{ code: 'ja', name: 'Japanese (日本語)' },
	{ code: 'zh', name: 'Chinese (中文)' },
	{ code: 'de', name: 'German (Deutsch)' },
	{ code: 'fr', name: 'French (français)' },
	{ code: 'es', name: 'Spanish (español)' },
	{ code: 'it', name: 'Italian (italiano)' },
	{ code: 'pt', name: 'Portuguese (português)' },
	{ code: 'ru', name: 'Russian (русский)' },
	{ code: 'vi', name: 'Vietnamese (Tiếng Việt)' },
	{ code: 'th', name: 'Thai (ไทย)' }
];

/** The "no language chosen" choice; its name is in the UI's language. */
export function defaultLanguage(): LanguageOption {
	return { code: '', name: t('stt.automatic') };
}

/** A language code's name, or the code itself when the UI does not know it. */
export function languageName(code: string | null | undefined): string {
	if (!code) return t('doc.unknownLanguage');
	return COMMON_LANGUAGES.find((l) => l.code === code)?.name ?? code;
}

/** The choices for a recording: the default, the common languages, and its current one if it is another. */
export function languageOptions(current: string | null | undefined): LanguageOption[] {
	const options = [defaultLanguage(), ...COMMON_LANGUAGES];
	if (current && !options.some((o) => o.code === current)) options.push({ code: current, name: current });
	return options;
}

export function flagLabel(flag: TranscriptFlag): string {
	const key = `stt.flag.${flag}`;
	return hasMessage(key) ? t(key) : flag;
}

export function sourceLabel(source: LanguageSource | null | undefined): string {
	if (!source) return '';
	const key = `stt.source.${source}`;
	return hasMessage(key) ? t(key) : source;
}
