import os from 'node:os';
import path from 'node:path';
import { GenerationFailedError } from '@flock/errors';
import { MotherDuckTokenConnector } from '@flock/motherduck';
import { rejectionOf } from '@flock/testing';
import { MotherDuckSqlGenerator } from './motherduck-generator';

const TOKEN = 'md_fake_token_3b9e1d7c0a4f';

describe('MotherDuckTokenConnector', () => {
  it('redacts every occurrence of the token', () => {
    const connector = new MotherDuckTokenConnector(TOKEN);
    expect(connector.redact(`bad token ${TOKEN}; again: md:?motherduck_token=${TOKEN}`)).toBe(
      'bad token [redacted]; again: md:?motherduck_token=[redacted]',
    );
    expect(connector.redact('nothing secret')).toBe('nothing secret');
  });

  // The live path is not tested: MotherDuck is not reachable from CI. This runs the real
  // md: open as far as it goes offline: the motherduck extension is looked for in an
  // empty directory and never downloaded, so the open fails without touching the network.
  it('turns a failed md: open into generation_failed without the token, even when DuckDB echoes it', async () => {
    const connector = new MotherDuckTokenConnector(TOKEN, {
      autoinstall_known_extensions: 'false',
      // DuckDB repeats this path in its error, so the token reaches the message unless redacted.
      extension_directory: path.join(os.tmpdir(), `flock-motherduck-${TOKEN}`),
    });
    const generator = new MotherDuckSqlGenerator({ connector });
    try {
      const { message } = await rejectionOf(
        generator.generate({ question: 'q', bucket: 'sales', schema: { tables: [] } }),
        GenerationFailedError,
      );
      expect(message).toMatch(/^MotherDuck could not be reached: .*motherduck/);
      expect(message).toContain('[redacted]');
      expect(message).not.toContain(TOKEN);
    } finally {
      generator.close();
    }
  });
});
