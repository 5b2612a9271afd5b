/** The vendor finance auto-creates under the tenant for each provider. Every provider is a cloud. */
export interface Vendor {
  name: string;
  category: 'cloud';
}

const VENDOR_NAMES: Readonly<Record<string, string>> = Object.freeze({
  digitalocean: 'DigitalOcean',
  aws: 'Amazon Web Services',
  gcp: 'Google Cloud',
  azure: 'Microsoft Azure',
});

/** Unknown providers keep their id as the vendor name rather than failing: finance accepts any name. */
export function vendorFor(provider: string): Vendor {
  const name = Object.hasOwn(VENDOR_NAMES, provider) ? VENDOR_NAMES[provider] : undefined;
  return { name: name ?? provider, category: 'cloud' };
}
