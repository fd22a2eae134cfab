import pkg from '../../../package.json';

// The producer field of every envelope names the service and this version.
export const SERVICE_VERSION: string = pkg.version;

export function producerName(service: string): string {
  return `${service}@${SERVICE_VERSION}`;
}
