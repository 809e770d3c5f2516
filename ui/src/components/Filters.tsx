import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { KINDS, MARKINGS, PRECEDENCES, toggle, type FilterState } from '../lib/filter';
import { NARROW_QUERY } from '../lib/layout';
import { useMediaQuery } from '../lib/useMediaQuery';

/** Text filters wait this long after the last key before applying. */
const TEXT_DELAY_MS = 250;

function Check({ testId, checked, onChange, children }: { testId: string; checked: boolean; onChange: () => void; children: ReactNode }) {
  return (
    <label className={`chip${checked ? ' chip-on' : ''}`}>
      <input type="checkbox" data-testid={testId} checked={checked} onChange={onChange} />
      <span>{children}</span>
    </label>
  );
}

function useDelayedText(value: string, apply: (v: string) => void): [string, (v: string) => void] {
  const [text, setText] = useState(value);
  const latest = useRef(apply);
  latest.current = apply;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => latest.current(text), TEXT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [text, value]);
  return [text, setText];
}

export function Filters({ value, onChange, children }: { value: FilterState; onChange: (f: FilterState) => void; children?: ReactNode }) {
  const { t } = useTranslation();
  const id = useId();
  // The latest filter, so that a delayed text edit does not undo a checkbox ticked meanwhile.
  const current = useRef(value);
  current.current = value;
  const [origin, setOrigin] = useDelayedText(value.origin, (origin) => onChange({ ...current.current, origin }));
  const [tag, setTag] = useDelayedText(value.tag, (tag) => onChange({ ...current.current, tag }));
  // In one column the filters fold away behind a button, to leave room for the list.
  const narrow = useMediaQuery(NARROW_QUERY);
  const [open, setOpen] = useState(false);
  const shown = !narrow || open;
  const active = value.kinds.length + value.markings.length + value.precedences.length + (value.origin ? 1 : 0) + (value.tag ? 1 : 0) + (value.unreadOnly ? 1 : 0);

  return (
    <section className="filters" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="filters-title">
        {narrow ? (
          <button type="button" className="filters-toggle" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => setOpen(!open)}>
            {t('filters.title')}
          </button>
        ) : (
          t('filters.title')
        )}
        {active > 0 && <span className="filters-active">{t('filters.active', { n: active })}</span>}
      </h2>
      <div className="filters-body" id={`${id}-body`} hidden={!shown}>
        <fieldset>
          <legend>{t('filters.kind')}</legend>
          {KINDS.map((k) => (
            <Check key={k} testId={`filter-kind-${k}`} checked={value.kinds.includes(k)} onChange={() => onChange({ ...value, kinds: toggle(value.kinds, k, KINDS) })}>
              {t(`kind.${k}.short`)}
            </Check>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('filters.marking')}</legend>
          {MARKINGS.map((m) => (
            <Check key={m} testId={`filter-marking-${m}`} checked={value.markings.includes(m)} onChange={() => onChange({ ...value, markings: toggle(value.markings, m, MARKINGS) })}>
              {t(`marking.${m}.label`)}
            </Check>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('filters.precedence')}</legend>
          {PRECEDENCES.map((p) => (
            <Check key={p} testId={`filter-precedence-${p}`} checked={value.precedences.includes(p)} onChange={() => onChange({ ...value, precedences: toggle(value.precedences, p, PRECEDENCES) })}>
              {t(`precedence.${p}.name`)}
            </Check>
          ))}
        </fieldset>
        <div className="filters-text">
          <div className="field">
            <label htmlFor={`${id}-origin`}>{t('filters.origin')}</label>
            <input id={`${id}-origin`} data-testid="filter-origin" value={origin} onChange={(e) => setOrigin(e.target.value)} placeholder={t('filters.originPlaceholder')} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-tag`}>{t('filters.tag')}</label>
            <input id={`${id}-tag`} data-testid="filter-tag" value={tag} onChange={(e) => setTag(e.target.value)} placeholder={t('filters.tagPlaceholder')} />
          </div>
          <Check testId="filter-unread" checked={value.unreadOnly} onChange={() => onChange({ ...value, unreadOnly: !value.unreadOnly })}>
            {t('filters.unreadOnly')}
          </Check>
        </div>
        {children}
      </div>
    </section>
  );
}
