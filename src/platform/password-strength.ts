import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { DomainError } from '../core/errors.ts';
import { minimumPasswordLength, passwordContextWords, passwordLengthProblem } from '../core/password-policy.ts';

/**
 * Blocklist and strength check for a new password (STANDARDS A1–A4): the length rule, then zxcvbn's
 * dictionaries of common and breached passwords, then the context words. The reason is named so the
 * person knows what to change; there are no composition rules.
 */
export class PasswordStrength {
  private readonly zxcvbn = new ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
    translations: english.translations,
  });

  private readonly blocklist = new Set(common.dictionary['passwords-common']);

  /** The exact password (case aside) is on the common/breached list: a risk signal at sign-in. */
  isBlocklisted(password: string): boolean {
    return this.blocklist.has(password.toLowerCase());
  }

  assertAcceptable(
    password: string,
    context: { shopName: string; email: string; name?: string; hasSecondFactor?: boolean },
  ): void {
    const lengthProblem = passwordLengthProblem(password, context.hasSecondFactor ?? false);
    if (lengthProblem) {
      const min = minimumPasswordLength(context.hasSecondFactor ?? false);
      throw new DomainError(lengthProblem, {
        fields: [{ field: 'password', code: lengthProblem, min }],
        minLength: min,
      });
    }

    const contextWords = passwordContextWords(context);
    const lowered = password.toLowerCase();
    const presentWords = contextWords.filter((word) => word.length >= 4 && lowered.includes(word));
    if (presentWords.length > 0) {
      // Judge what is left once the shop's or the person's own words are taken out.
      const remainder = presentWords.reduce((rest, word) => rest.split(word).join(''), lowered);
      if (this.zxcvbn.check(remainder).score < 4) {
        throw new DomainError('PASSWORD_CONTAINS_CONTEXT', {
          fields: [{ field: 'password', code: 'PASSWORD_CONTAINS_CONTEXT' }],
        });
      }
    }
    const result = this.zxcvbn.check(password, contextWords);
    if (result.score >= 3) return;
    const fromCommonList = result.sequence.some(
      (m) => m.pattern === 'dictionary' && m.dictionaryName === 'passwords-common',
    );
    if (result.sequence.some((m) => m.pattern === 'dictionary' && m.dictionaryName === 'userInputs')) {
      throw new DomainError('PASSWORD_CONTAINS_CONTEXT', {
        fields: [{ field: 'password', code: 'PASSWORD_CONTAINS_CONTEXT' }],
      });
    }
    const code = fromCommonList ? 'PASSWORD_TOO_COMMON' : 'PASSWORD_TOO_WEAK';
    throw new DomainError(code, { fields: [{ field: 'password', code }] });
  }
}
