import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';

// A search box that filters a list of choices: the ARIA 1.2 combobox pattern with a listbox
// popup. Focus stays in the text box; ↓/↑ move the active option (announced through
// aria-activedescendant), Enter picks it, Escape closes. Radix has no combobox, and React Aria's
// would be a second primitive library for one widget (docs/DECISIONS.md), so this one is kept
// small and careful here, behind the same ui/ layer as the others.

export interface ComboGroup<T> {
  label: string;
  options: T[];
}

interface Props<T> {
  label: string;
  placeholder?: string;
  query: string;
  onQuery: (q: string) => void;
  groups: ComboGroup<T>[];
  optionKey: (o: T) => string;
  /** The option's accessible name (its visible text should start with it). */
  optionName: (o: T) => string;
  renderOption: (o: T) => ReactNode;
  onPick: (o: T) => void;
  onClose: () => void;
  /** Shown under the list when it is empty, or while it loads. */
  status?: ReactNode;
}

export function Combobox<T>({ label, placeholder, query, onQuery, groups, optionKey, optionName, renderOption, onPick, onClose, status }: Props<T>) {
  const base = useId();
  const listId = `${base}-list`;
  // One flat list in display order: the active index walks it across groups.
  const flat = useMemo(() => groups.flatMap((g) => g.options), [groups]);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
  }, []);
  const optionId = (i: number) => `${base}-opt-${i}`;
  useEffect(() => {
    if (active >= 0) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  });

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!flat.length) return;
      const d = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i < 0 ? (d > 0 ? 0 : flat.length - 1) : (i + d + flat.length) % flat.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = flat[active >= 0 ? active : 0];
      if (pick !== undefined) onPick(pick);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  let i = 0;
  return (
    <>
      <input
        ref={inputRef}
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded={flat.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? optionId(active) : undefined}
        placeholder={placeholder}
        value={query}
        onChange={(e) => {
          setActive(-1);
          onQuery(e.target.value);
        }}
        onKeyDown={onKeyDown}
        autoComplete="off"
        spellCheck={false}
        className="combo-input"
      />
      <div id={listId} role="listbox" aria-label={label} className="combo-list">
        {groups
          .filter((g) => g.options.length)
          .map((g) => (
            <div key={g.label} role="group" aria-labelledby={`${base}-${g.label}`} className="combo-group">
              <div id={`${base}-${g.label}`} className="combo-group-label" role="presentation">
                {g.label}
              </div>
              {g.options.map((o) => {
                const idx = i++;
                return (
                  <ComboOption
                    key={optionKey(o)}
                    id={optionId(idx)}
                    name={optionName(o)}
                    active={idx === active}
                    onPick={() => onPick(o)}
                    onHover={() => setActive(idx)}
                  >
                    {renderOption(o)}
                  </ComboOption>
                );
              })}
            </div>
          ))}
      </div>
      {status && (
        <div className="combo-status muted small" role="status">
          {status}
        </div>
      )}
    </>
  );
}

// At module level, so React sees the same component on every render: a row keeps its DOM (and its
// loaded cover image) across keystrokes instead of being remounted.
function ComboOption({
  id,
  name,
  active,
  onPick,
  onHover,
  children,
}: {
  id: string;
  name: string;
  active: boolean;
  onPick: () => void;
  onHover: () => void;
  children: ReactNode;
}) {
  return (
    // Options are chosen by pointer here and by keyboard through the combobox (focus never leaves it).
    // eslint-disable-next-line jsx-a11y/click-events-have-key-events
    <div
      id={id}
      role="option"
      aria-selected={active}
      tabIndex={-1}
      className={`combo-option${active ? ' active' : ''}`}
      onMouseDown={(e) => e.preventDefault()}
      onClick={onPick}
      onMouseMove={active ? undefined : onHover}
    >
      {/* Named by this text rather than aria-label, so what is seen and what is announced agree. */}
      <span className="visually-hidden">{name}</span>
      <span className="combo-option-body" aria-hidden="true">
        {children}
      </span>
    </div>
  );
}
