import { readFileSync } from 'node:fs';

export const SAMPLE_PATH = new URL('../../../shared/samples/yantian-emergency-2023.jsonl', import.meta.url);

export function sampleText(): string {
  return readFileSync(SAMPLE_PATH, 'utf8');
}

export function sampleEvents(): Record<string, any>[] {
  return sampleText()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
