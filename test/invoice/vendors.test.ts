import { describe, expect, it } from 'vitest';
import { vendorFor } from '../../src/invoice/vendors.ts';

describe('vendorFor', () => {
  it.each([
    ['digitalocean', 'DigitalOcean'],
    ['aws', 'Amazon Web Services'],
    ['gcp', 'Google Cloud'],
    ['azure', 'Microsoft Azure'],
  ])('names provider %s as vendor %s in category cloud', (provider, name) => {
    expect(vendorFor(provider)).toEqual({ name, category: 'cloud' });
  });

  it('uses the provider id as the name of an unknown provider', () => {
    expect(vendorFor('hetzner')).toEqual({ name: 'hetzner', category: 'cloud' });
  });

  it('does not take inherited object keys for table entries', () => {
    expect(vendorFor('toString')).toEqual({ name: 'toString', category: 'cloud' });
  });

  it('is case-sensitive, as provider ids are lowercase identifiers', () => {
    expect(vendorFor('AWS')).toEqual({ name: 'AWS', category: 'cloud' });
  });

  it('returns a fresh object so callers cannot alter the table', () => {
    const vendor = vendorFor('aws');
    vendor.name = 'changed';
    expect(vendorFor('aws').name).toBe('Amazon Web Services');
  });
});
