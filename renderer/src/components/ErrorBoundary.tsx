import { Component, type ReactNode } from 'react';

/**
 * Shows `fallback` in place of children that threw while rendering (a hostile model text's parse,
 * say): one view fails, not the whole window. React has no hook for this; a class is its API.
 */
export class ErrorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
