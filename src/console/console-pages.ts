/**
 * The pages of the console a sign-in may lead back to (`back=`): nothing else, so a crafted link
 * can never send a signed-in operator to another site or an action. console-routes.ts serves them.
 */
const PAGES: readonly RegExp[] = [
  /^\/$/,
  /^\/pushes$/,
  /^\/invoices$/,
  /^\/tenants$/,
  /^\/dead-letters$/,
  /^\/dead-letters\/\d{1,9}\/\d{1,19}$/,
  /^\/replay$/,
  /^\/replay\/preview$/,
  /^\/audit$/,
];

export function isConsolePage(path: string): boolean {
  return PAGES.some((page) => page.test(path));
}
