// The four words both devices show while linking, and the person's answer: "Les mots sont
// identiques" or "Ils diffèrent". The same on both devices (their questions differ).

import { forwardRef, useId } from 'react';
import { useTranslation } from 'react-i18next';

export const LinkWords = forwardRef<
  HTMLHeadingElement,
  {
    words: string[];
    title: string;
    /** The level of the title under the heading of the screen or section around it. */
    level: 2 | 4;
    question: string;
    hint: string;
    /** The answers, while an answer is still expected. */
    onMatch?: () => void;
    onDiffer?: () => void;
  }
>(function LinkWords({ words, title, level, question, hint, onMatch, onDiffer }, heading) {
  const { t } = useTranslation();
  const id = useId();
  const Title = level === 2 ? 'h2' : 'h4';
  return (
    <div className="link-words-check" data-testid="link-words-check">
      <Title id={`${id}-title`} ref={heading} tabIndex={-1}>
        {title}
      </Title>
      <p id={`${id}-question`}>{question}</p>
      <ol className="link-words" data-testid="link-words" aria-label={t('link.words')}>
        {words.map((w, i) => (
          <li key={`${i}-${w}`} data-testid="link-word">
            {w}
          </li>
        ))}
      </ol>
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      {onMatch && onDiffer && (
        <div className="form-actions">
          <button type="button" className="primary" data-testid="link-words-match" aria-describedby={`${id}-question`} onClick={onMatch}>
            {t('link.match')}
          </button>
          <button type="button" className="danger" data-testid="link-words-differ" aria-describedby={`${id}-hint`} onClick={onDiffer}>
            {t('link.differ')}
          </button>
        </div>
      )}
    </div>
  );
});
