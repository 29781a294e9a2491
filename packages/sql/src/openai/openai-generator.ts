import { GenerationFailedError, timeLeft } from '@flock/errors';
import type { GeneratedSql, GenerationRequest, SqlGenerator } from '../generator';
import { ChatClient } from './chat-client';
import { buildMessages } from './prompt';
import { extractSql } from './reply';
import { selectSchema } from './table-selection';
import { nearestExamples } from '../knowledge/examples';
import { mentionedTerms } from '../knowledge/glossary';

/** Saved examples shown as worked answers, and glossary terms defined, per prompt: the nearest, to keep prompts small. */
const MAX_PROMPT_EXAMPLES = 3;
const MAX_PROMPT_TERMS = 20;

/** The `FLOCK_LLM_*` settings, as @flock/config validates them; this package does not read config itself. */
export interface OpenAiSqlGeneratorOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Bearer key; omitted from requests when unset, as local servers often need none. */
  apiKey?: string;
  /** Model name sent with every request. */
  model: string;
  /** One chat-completions request is abandoned after this long. Config default 30 s. */
  timeoutMs: number;
  /** Tries per question, counting self-corrections. Config default 3. */
  attempts: number;
  /** Budget of the schema part of the prompt, in characters. Config default 12000. */
  maxSchemaChars: number;
  /** Whether listed values and row counts go into the prompt (FLOCK_LLM_SEND_VALUES, default true). */
  sendValues?: boolean;
  /** Sent only when set (FLOCK_LLM_TEMPERATURE): reasoning models refuse the parameter. */
  temperature?: number;
}

/**
 * SQL from any OpenAI-compatible chat-completions endpoint. The model sees the
 * question and a compact schema (cut to the most related tables when it is large);
 * its reply is untrusted like every engine's, so the caller validates and sandboxes it.
 * When the SQL is refused or fails to run, the caller asks again with the error
 * (`previousAttempts`), up to `attempts` tries.
 */
export class OpenAiSqlGenerator implements SqlGenerator {
  readonly name = 'openai';
  readonly maxAttempts: number;
  readonly readsConversation = true;
  // Only the client holds the API key, in a private field, so logging this object cannot leak it.
  readonly #client: ChatClient;
  readonly #maxSchemaChars: number;
  readonly #timeoutMs: number;
  readonly #sendValues: boolean;

  constructor(options: OpenAiSqlGeneratorOptions) {
    this.maxAttempts = options.attempts;
    this.#maxSchemaChars = options.maxSchemaChars;
    this.#timeoutMs = options.timeoutMs;
    this.#sendValues = options.sendValues ?? true;
    this.#client = new ChatClient({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      model: options.model,
      timeoutMs: options.timeoutMs,
      temperature: options.temperature,
    });
  }

  async generate({ question, schema, previousAttempts, deadline, followUp, knowledge }: GenerationRequest): Promise<GeneratedSql> {
    const timeoutMs = timeLeft(this.#timeoutMs, deadline);
    if (timeoutMs <= 0) throw new GenerationFailedError('The job ran out of time before the language model could be asked again.');
    const selection = selectSchema(question, schema, this.#maxSchemaChars, { data: this.#sendValues });
    if (selection.tables.length === 0) {
      throw new GenerationFailedError(
        schema.tables.length === 0
          ? 'This bucket has no tables to ask about.'
          : `No table of this bucket fits the language model's schema budget of ${this.#maxSchemaChars} characters.`,
      );
    }
    const examples = nearestExamples(question, knowledge?.examples ?? [], MAX_PROMPT_EXAMPLES);
    const messages = buildMessages({
      question: followUp?.asked ?? question,
      ...(followUp ? { earlier: { question: followUp.previousQuestion, sql: followUp.previousSql } } : {}),
      schemaText: selection.text,
      omittedTables: selection.omitted,
      previousAttempts,
      data: this.#sendValues,
      glossary: mentionedTerms(question, knowledge?.glossary ?? []).slice(0, MAX_PROMPT_TERMS),
      examples,
    });
    const promptChars = messages.reduce((sum, message) => sum + message.content.length, 0);
    const sql = extractSql(await this.#client.complete(messages, timeoutMs));
    return { sql, promptChars, ...(examples.length > 0 ? { knowledge: { examples_shown: examples.length } } : {}) };
  }
}
