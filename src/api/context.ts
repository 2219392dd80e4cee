/** Per-request API context: negotiated version and the public URL for links. */
import type { FastifyRequest } from 'fastify';
import { supports as supportsAt, type Feature } from '../contracts/versions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Negotiated minor version (1.N → N). */
    apiVersion: number;
  }
}

export function supports(req: FastifyRequest, feature: Feature): boolean {
  return supportsAt(req.apiVersion, feature);
}

/** Base URL as the client reached us (Host header), used in links and `next`. */
export function publicUrl(req: FastifyRequest, configured?: string): string {
  if (configured) return configured.replace(/\/$/, '');
  const host = req.headers.host ?? 'localhost';
  return `${req.protocol}://${host}`;
}

export interface Link { href: string; rel: string }

/** Ironic's self + bookmark links for `/v1/<resource>/<id>`. */
export function makeLinks(base: string, resource: string, id: string): Link[] {
  return [
    { href: `${base}/v1/${resource}/${id}`, rel: 'self' },
    { href: `${base}/${resource}/${id}`, rel: 'bookmark' },
  ];
}
