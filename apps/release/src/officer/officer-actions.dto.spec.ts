import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ControlResultDto, OfficerDecisionDto } from './officer-actions.dto';
import { resolveOfficerId } from './officer-identity.resolver';
import { PaymentDto } from '../payments/payment.dto';

const failing = <T extends object>(cls: new () => T, body: unknown): string[] =>
  validateSync(plainToInstance(cls, body) as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).map((e) => e.property);

describe('officer and payment bodies', () => {
  it('accepts a conform control without findings and needs findings when not conform', () => {
    expect(failing(ControlResultDto, { control: 'documentary-check', outcome: 'conform' })).toEqual(
      [],
    );
    expect(
      failing(ControlResultDto, { control: 'physical-inspection', outcome: 'not-conform' }),
    ).toEqual(['findings']);
    expect(
      failing(ControlResultDto, {
        control: 'physical-inspection',
        outcome: 'not-conform',
        findings: 'undeclared goods',
      }),
    ).toEqual([]);
    expect(
      failing(ControlResultDto, { control: 'x-ray', outcome: 'ok', officerId: 'a b' }),
    ).toEqual(['control', 'outcome', 'officerId']);
  });

  it('needs at least one ground for a decision', () => {
    expect(failing(OfficerDecisionDto, { decision: 'refuse', grounds: [] })).toEqual(['grounds']);
    expect(failing(OfficerDecisionDto, { decision: 'refuse', grounds: [''] })).toEqual(['grounds']);
    expect(failing(OfficerDecisionDto, { decision: 'allow', grounds: ['x'] })).toEqual([
      'decision',
    ]);
    expect(
      failing(OfficerDecisionDto, { decision: 'release', grounds: ['papers in order'] }),
    ).toEqual([]);
  });

  it('takes money as a positive decimal string only', () => {
    const ok = {
      mrn: '26NL00000000000A15',
      amount: '125.50',
      currency: 'EUR',
      kind: 'payment',
      reference: 'PAY-1',
    };
    expect(failing(PaymentDto, ok)).toEqual([]);
    for (const amount of ['0', '0.00', '-1', '1e3', '1.234', 12.5])
      expect(failing(PaymentDto, { ...ok, amount })).toEqual(['amount']);
    expect(failing(PaymentDto, { ...ok, currency: 'eur', kind: 'cash', reference: '' })).toEqual([
      'currency',
      'kind',
      'reference',
    ]);
  });
});

describe('resolveOfficerId', () => {
  it('takes the header or the body field, and refuses neither or two different ones', () => {
    expect(resolveOfficerId('o.1', undefined)).toBe('o.1');
    expect(resolveOfficerId(undefined, 'o.2')).toBe('o.2');
    expect(resolveOfficerId('o.3', 'o.3')).toBe('o.3');
    expect(() => resolveOfficerId(undefined, undefined)).toThrow(BadRequestException);
    const problems = (header?: string, body?: string): string[] => {
      try {
        resolveOfficerId(header, body);
        return [];
      } catch (e) {
        return ((e as BadRequestException).getResponse() as { message: string[] }).message;
      }
    };
    expect(problems('o.1', 'o.2')).toEqual([
      "officerId: 'o.2' differs from the X-Officer-Id header 'o.1'",
    ]);
    expect(() => resolveOfficerId('has space', undefined)).toThrow(BadRequestException);
  });
});
