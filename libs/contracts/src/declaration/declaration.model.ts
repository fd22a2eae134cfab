/**
 * The declaration as lodged, version 1. Names follow the WCO Data Model where natural.
 * Money, masses and quantities are decimal strings so that the canonical JSON, and so
 * the event hash, is the same in every language.
 */

export type DecimalString = string;

export const DECLARATION_TYPES = ['import', 'export', 'transit'] as const;
export type DeclarationType = (typeof DECLARATION_TYPES)[number];

/** Incoterms 2020. */
export const INCOTERMS_2020 = [
  'EXW',
  'FCA',
  'FAS',
  'FOB',
  'CFR',
  'CIF',
  'CPT',
  'CIP',
  'DAP',
  'DPU',
  'DDP',
] as const;
export type Incoterm = (typeof INCOTERMS_2020)[number];

/** Mode of transport at the border (WCO/UNECE Rec. 19 codes 1-9). */
export const TRANSPORT_MODES = ['1', '2', '3', '4', '5', '7', '8', '9'] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

export interface Party {
  /** EORI-style identifier: 2-letter country code then up to 15 alphanumerics. */
  id: string;
  name?: string;
  country?: string;
}

export interface DeclarationCosts {
  freight?: DecimalString;
  insurance?: DecimalString;
  loadingHandling?: DecimalString;
  packing?: DecimalString;
  containers?: DecimalString;
  commissions?: DecimalString;
  buyingCommissions?: DecimalString;
  royalties?: DecimalString;
  assists?: DecimalString;
  proceeds?: DecimalString;
  transportAfterImport?: DecimalString;
  importDutiesIncluded?: DecimalString;
}

export interface DocumentReference {
  /** Document type code (e.g. N935 invoice, C505 certificate), 4 alphanumerics. */
  code: string;
  reference: string;
}

export interface ProofOfOrigin {
  /** e.g. EUR.1, REX statement, origin declaration. */
  type: string;
  reference: string;
}

export interface DeclarationItem {
  itemNumber: number;
  /** HS six digits extended by national digits: 6 to 10 digits. */
  commodityCode: string;
  description: string;
  originCountry: string;
  /** Preference code claimed (e.g. '300' tariff preference); absent for none. */
  preferenceCode?: string;
  proofOfOrigin?: ProofOfOrigin;
  quantity: DecimalString;
  /** Unit of the quantity (UN/ECE Rec. 20 style: KGM, NAR, LTR, MTR, ...). */
  unit: string;
  netMass: DecimalString;
  grossMass: DecimalString;
  /** Item price in the invoice currency. */
  invoiceAmount: DecimalString;
  supplementaryUnits?: DecimalString;
  documents?: DocumentReference[];
}

export interface Declaration {
  lrn: string;
  declarationType: DeclarationType;
  /** 4 digits: requested procedure (2) + previous procedure (2). */
  procedureCode: string;
  additionalProcedureCodes?: string[];
  declarant: Party;
  importer?: Party;
  exporter?: Party;
  seller?: Party;
  buyer?: Party;
  /** Customs office reference number: 2-letter country then 6 alphanumerics. */
  officeOfLodgement: string;
  /** Identifier of the border post that lodged or forwards the declaration. */
  borderPost: string;
  transportMode: TransportMode;
  dispatchCountry: string;
  destinationCountry: string;
  invoiceCurrency: string;
  invoiceTotal: DecimalString;
  incoterm: Incoterm;
  incotermPlace: string;
  costs?: DeclarationCosts;
  relatedParty: boolean;
  /** Valuation method claimed, WTO Agreement 1 to 6. */
  valuationMethod: number;
  /** Guarantee or deferment account securing the debt, if any. */
  guaranteeReference?: string;
  items: DeclarationItem[];
}
