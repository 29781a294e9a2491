import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The nl-dev question set beside the repository (CI checks shared/ out next to it). */
export const DEFAULT_QUESTIONS = path.resolve(__dirname, '../../shared/nl-dev/questions.jsonl');

export interface Question {
  id: string;
  kind: string;
  question: string;
  gold: string | null;
  ordered?: boolean;
}

export function readQuestions(file: string): Question[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Question);
}

/** The p-th percentile (nearest rank) of unsorted samples. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
