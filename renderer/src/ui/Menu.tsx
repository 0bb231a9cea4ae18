import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import * as M from '@radix-ui/react-dropdown-menu';

// A menu button and its menu (Radix underneath): a `menu` of `menuitem`s, arrow keys and
// Home/End move, typing jumps, Escape or an outside press closes and returns focus to the button,
// choosing an item runs it and closes. The items exist only while the menu is open.
//
// Radix's machinery mounts only once the button is approached: a pointer over it, focus on it, or
// a press. Every gallery card has this menu, and a closed Radix menu is still a tree of providers
// (menu, popper, collection, focus and dismiss layers): measured with 10,000 runs, mounting one
// per card cost the first screenful of cards ~200 ms (docs/DECISIONS.md, "First cards").
// Until then the button is a plain one with the same name, class and popup state.

export interface MenuItem {
  label: string;
  run: () => void;
}

interface MenuProps {
  label: string;
  items: MenuItem[];
  triggerClassName?: string;
  children?: ReactNode;
}

export function Menu({ label, items, triggerClassName = 'btn small icon', children = '⋯' }: MenuProps) {
  const [armed, setArmed] = useState<null | { focus: boolean; open: boolean }>(null);
  if (armed) return <ArmedMenu label={label} items={items} triggerClassName={triggerClassName} focus={armed.focus} openNow={armed.open} content={children} />;
  return (
    <button
      type="button"
      className={triggerClassName}
      aria-label={label}
      aria-haspopup="menu"
      aria-expanded={false}
      data-state="closed"
      onPointerEnter={() => setArmed({ focus: false, open: false })}
      // The real trigger replaces this one: it takes the focus over, so Enter and the arrow keys reach Radix.
      onFocus={() => setArmed({ focus: true, open: false })}
      onPointerDown={(e) => {
        // A press with no hover before it (touch, pen): open at once, as Radix's trigger would.
        if (e.button !== 0 || e.ctrlKey) return;
        e.preventDefault();
        setArmed({ focus: false, open: true });
      }}
    >
      {children}
    </button>
  );
}

function ArmedMenu({
  label,
  items,
  triggerClassName,
  focus,
  openNow,
  content,
}: Required<Omit<MenuProps, 'children'>> & { focus: boolean; openNow: boolean; content: ReactNode }) {
  const [open, setOpen] = useState(openNow);
  const trigger = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (focus) trigger.current?.focus();
    // Only when it replaces the plain button: later focus is the user's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <M.Root modal={false} open={open} onOpenChange={setOpen}>
      <M.Trigger ref={trigger} className={triggerClassName} aria-label={label}>
        {content}
      </M.Trigger>
      <M.Portal>
        <M.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
          {items.map((it) => (
            <M.Item key={it.label} className="menu-item" onSelect={() => it.run()}>
              {it.label}
            </M.Item>
          ))}
        </M.Content>
      </M.Portal>
    </M.Root>
  );
}
