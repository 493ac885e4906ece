import { z } from 'zod';
import { externalIdsResponse } from './common.js';

export const phoneResponse = z.object({ e164: z.string(), extension: z.string().nullable() });

export const personResponse = z.object({
  id: z.number(),
  lastName: z.string().nullable(),
  firstName: z.string().nullable(),
  middleName: z.string().nullable(),
  fullName: z.string(),
  phones: z.array(phoneResponse),
  emails: z.array(z.string()),
  isGuest: z.boolean(),
  organizationId: z.number().nullable(),
  externalIds: externalIdsResponse,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});

export const organizationResponse = z.object({
  id: z.number(),
  title: z.string(),
  inn: z.string().nullable(),
  kpp: z.string().nullable(),
  companyType: z.string().nullable(),
  externalIds: externalIdsResponse,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
