import * as R from '@radix-ui/react-radio-group';

// A row of mutually exclusive choices (theme, short enums): one tab stop, arrow keys move and
// choose, as the ARIA radio group pattern asks (Radix underneath).

export interface RadioChoice<T> {
  value: T;
  label: string;
}

export function RadioGroup<T extends string | number>({
  choices,
  value,
  onChange,
  labelledBy,
  describedBy,
  name,
}: {
  choices: RadioChoice<T>[];
  value: T | undefined;
  onChange: (v: T) => void;
  labelledBy: string;
  describedBy?: string;
  name?: string;
}) {
  const byKey = new Map(choices.map((c) => [String(c.value), c.value]));
  return (
    <R.Root
      className="segmented"
      value={value === undefined ? '' : String(value)}
      name={name}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      orientation="horizontal"
      onValueChange={(v) => {
        const c = byKey.get(v);
        if (c !== undefined) onChange(c);
      }}
    >
      {choices.map((c) => (
        <R.Item key={String(c.value)} value={String(c.value)} className={String(value) === String(c.value) ? 'on' : ''}>
          {c.label}
        </R.Item>
      ))}
    </R.Root>
  );
}
