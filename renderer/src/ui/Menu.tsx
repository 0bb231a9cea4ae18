import type { ReactNode } from 'react';
import * as M from '@radix-ui/react-dropdown-menu';

// A menu button and its menu (Radix underneath): a `menu` of `menuitem`s, arrow keys and
// Home/End move, typing jumps, Escape or an outside press closes and returns focus to the button,
// choosing an item runs it and closes. The items exist only while the menu is open, so a gallery
// of cards pays nothing for its closed menus.

export interface MenuItem {
  label: string;
  run: () => void;
}

export function Menu({
  label,
  items,
  triggerClassName = 'btn small icon',
  children = '⋯',
}: {
  label: string;
  items: MenuItem[];
  triggerClassName?: string;
  children?: ReactNode;
}) {
  return (
    <M.Root modal={false}>
      <M.Trigger className={triggerClassName} aria-label={label}>
        {children}
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
