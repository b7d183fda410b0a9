import { readFileSync } from 'node:fs';
import { SAMPLE } from '#domain/testing/sample.fixture.js';

/** The reference department's year (samples/yantian-emergency-2023.jsonl), shipped with the project. */
export const SAMPLE_PATH = SAMPLE;

export function sampleText(): string {
  return readFileSync(SAMPLE_PATH, 'utf8');
}

export function sampleEvents(): Record<string, any>[] {
  return sampleText()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
