/** Version of the connect-trade SDK (kept in sync with package.json). */
export const VERSION = '0.1.0';
