import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { errorText } from './errors';

const e = (kind: string, detail: string | null = null, field: string | null = null) => ({ kind: kind as never, message: `english ${kind}`, field, detail });

describe('drafting errors in the user’s language', () => {
  it('translates the refusals of the clearance chain, with the role and stage they name', async () => {
    const i18n = createI18n('fr');
    const t = i18n.t.bind(i18n);
    expect(errorText(t, e('not_allowed', 'approver'))).toBe('Cette étape est réservée au signataire.');
    expect(errorText(t, e('wrong_stage', 'in_clearance'))).toContain('En visas');
    expect(errorText(t, e('not_your_turn', 'Bob'))).toContain('Bob doit viser d’abord');
    expect(errorText(t, e('unresolved_conflicts', 'subject'))).toContain('subject');
    expect(errorText(t, e('invalid_value', 'use sequential or parallel', 'clearance_order'))).toContain('Ordre des visas');
    const en = createI18n('en');
    expect(errorText(en.t.bind(en), e('frozen'))).toContain('released and frozen');
  });
});

describe('profile folder errors', () => {
  it('say in French what is wrong with the folder, never the English message', async () => {
    const i18n = createI18n('fr');
    const t = i18n.t.bind(i18n);
    expect(errorText(t, e('profile_folder', 'not_empty'))).toContain('choisissez un dossier vide');
    expect(errorText(t, e('profile_folder', 'unfinished'))).toContain('remettez profile.key');
    expect(errorText(t, e('profile_folder', 'not_a_folder'))).not.toContain('english');
  });
});
