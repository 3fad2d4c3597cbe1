import type { CarePlan, Condition, MedicationAdministration, Procedure } from 'fhir/r4.js';
import { during, type Interval } from '../fhir/intervals.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology } from '../terminology/terminology.js';
import { administrationFact, happened, type AdministrationFact } from './administrations.js';
import { drugIdentity, type DrugIdentity } from './drugs.js';
import { billedCodeList, billedCodes, type BilledCodes } from './billed-codes.js';
import {
  conditionFact,
  encounterCoding,
  encounterDiagnoses,
  icd10Of,
  prevalentDuring,
  type ConditionFact,
  type EncounterCoding,
} from './diagnoses.js';
import { painScores, type PainScore } from './pain-scores.js';
import { painPlanEvidence } from './plan-of-care.js';
import {
  chemotherapyEvents,
  orderFacts,
  plannedChemotherapy,
  type ChemotherapyEvent,
  type OrderFact,
} from './treatment.js';
import { visitFacts, type VisitFacts } from './visit.js';

/*
 * The facts layer: what the rules know about one encounter, normalised once from whatever shape the EHR sent
 * (see each module's header for the shapes it reads). Rules read these facts, never raw FHIR fields. Every fact is
 * built on first use and kept for the evaluation, so a call's cost stays linear in its resources however many rules
 * ask. Facts about the patient rather than the encounter (every administration, condition, pain score and order)
 * are shared by every encounter focused on the same patient index, which is what the audit does.
 */

/** Facts about the whole patient, shared by the encounters of one patient index. */
class PatientFacts {
  private administrationMap: Map<MedicationAdministration, AdministrationFact> | undefined;
  private drugMap: Map<MedicationAdministration, DrugIdentity> | undefined;
  private conditionMap: Map<Condition, ConditionFact> | undefined;
  private conditionList: ConditionFact[] | undefined;
  private scores: PainScore[] | undefined;
  private orderList: OrderFact[] | undefined;
  private chemotherapy: ChemotherapyEvent[] | undefined;

  constructor(
    private readonly snapshot: PatientSnapshot,
    private readonly terminology: Terminology,
  ) {}

  administration(administration: MedicationAdministration): AdministrationFact {
    this.administrationMap ??= new Map();
    let fact = this.administrationMap.get(administration);
    if (!fact) {
      fact = administrationFact(administration, this.snapshot, this.terminology, this.drug(administration));
      this.administrationMap.set(administration, fact);
    }
    return fact;
  }

  /** The drug an administration gives: all the patient's chemotherapy history needs of an administration. */
  private drug(administration: MedicationAdministration): DrugIdentity {
    this.drugMap ??= new Map();
    let drug = this.drugMap.get(administration);
    if (!drug) {
      drug = drugIdentity(administration, this.snapshot, this.terminology);
      this.drugMap.set(administration, drug);
    }
    return drug;
  }

  condition(condition: Condition): ConditionFact {
    this.conditionMap ??= new Map();
    let fact = this.conditionMap.get(condition);
    if (!fact) {
      fact = conditionFact(condition, this.terminology);
      this.conditionMap.set(condition, fact);
    }
    return fact;
  }

  get conditions(): readonly ConditionFact[] {
    this.conditionList ??= this.snapshot.conditions.map((c) => this.condition(c));
    return this.conditionList;
  }

  get painScores(): readonly PainScore[] {
    this.scores ??= painScores(this.snapshot.observations, this.terminology);
    return this.scores;
  }

  get orders(): readonly OrderFact[] {
    this.orderList ??= orderFacts(this.snapshot.medicationRequests, this.snapshot, this.terminology);
    return this.orderList;
  }

  get chemotherapyEvents(): readonly ChemotherapyEvent[] {
    // Only given administrations can be chemotherapy events; of those only the drug is read, not the whole fact.
    this.chemotherapy ??= chemotherapyEvents(
      this.snapshot,
      this.terminology,
      this.snapshot.medicationAdministrations
        .filter((a) => happened(a.status))
        .map((administration) => ({
          administration,
          reference: `MedicationAdministration/${administration.id ?? ''}`,
          status: administration.status,
          drug: this.drug(administration),
        })),
    );
    return this.chemotherapy;
  }
}

/** Keyed by the patient index's encounter list, which every snapshot focused on that index shares. */
const patientFactsByIndex = new WeakMap<object, WeakMap<Terminology, PatientFacts>>();

function patientFactsOf(snapshot: PatientSnapshot, terminology: Terminology): PatientFacts {
  let byTerminology = patientFactsByIndex.get(snapshot.encounters);
  if (!byTerminology) {
    byTerminology = new WeakMap();
    patientFactsByIndex.set(snapshot.encounters, byTerminology);
  }
  let facts = byTerminology.get(terminology);
  if (!facts) {
    facts = new PatientFacts(snapshot, terminology);
    byTerminology.set(terminology, facts);
  }
  return facts;
}

export interface Indication {
  /** The Procedure or MedicationAdministration that names the reason. */
  readonly from: string;
  readonly reference: string;
  readonly code: string | undefined;
}

export class EncounterFacts {
  private readonly patient: PatientFacts;
  private administrationList: AdministrationFact[] | undefined;
  private codeList: BilledCodes | undefined;
  private visitFact: VisitFacts | undefined;
  private coding: EncounterCoding | undefined;
  private cancers: ConditionFact[] | undefined;
  private plan: string[] | undefined;
  private antineoplastics: AdministrationFact[] | undefined;
  private treatmentToday: string[] | undefined;

  constructor(
    readonly snapshot: PatientSnapshot,
    private readonly terminology: Terminology,
  ) {
    this.patient = patientFactsOf(snapshot, terminology);
  }

  get patientId(): string {
    return this.snapshot.patientId;
  }

  /** The encounter's administrations that happened (or are running), in start order. */
  get administrations(): readonly AdministrationFact[] {
    this.administrationList ??= this.snapshot.thisEncounter.medicationAdministrations
      .filter((a) => happened(a.status))
      .map((a) => this.patient.administration(a))
      .sort((a, b) => (a.startMs ?? Infinity) - (b.startMs ?? Infinity));
    return this.administrationList;
  }

  /** Antineoplastic drugs given in this encounter. */
  get antineoplasticsGiven(): readonly AdministrationFact[] {
    this.antineoplastics ??= this.administrations.filter((a) => a.drug.drugClass === 'antineoplastic');
    return this.antineoplastics;
  }

  /** Every CPT/HCPCS (and visit-type) code documented on the encounter. */
  get codes(): BilledCodes {
    this.codeList ??= billedCodeList(
      billedCodes(this.snapshot, this.terminology, this.administrations),
      this.terminology,
      this.snapshot,
    );
    return this.codeList;
  }

  get visit(): VisitFacts {
    this.visitFact ??= visitFacts(
      this.snapshot.encounter,
      this.snapshot.encounterReference,
      this.codes.all,
      this.terminology,
    );
    return this.visitFact;
  }

  condition(condition: Condition): ConditionFact {
    return this.patient.condition(condition);
  }

  /** Every condition of the patient, normalised. */
  get conditions(): readonly ConditionFact[] {
    return this.patient.conditions;
  }

  /** The encounter's ICD-10-CM diagnoses in billed order, with the DX rules' questions. */
  get diagnoses(): EncounterCoding {
    this.coding ??= encounterCoding(
      encounterDiagnoses(this.snapshot, this.terminology, (c) => this.patient.condition(c)),
      this.terminology,
    );
    return this.coding;
  }

  /** Cancer diagnoses that are active, asserted, and prevalent during the visit (PAIN common definitions). */
  get cancersAtVisit(): readonly ConditionFact[] {
    const visit = this.visit.interval;
    this.cancers ??= visit
      ? this.conditions.filter(
          (c) =>
            c.active &&
            c.asserted &&
            prevalentDuring(c, visit) &&
            this.terminology.match('cms157-cancer', c.condition.code?.coding) !== undefined,
        )
      : [];
    return this.cancers;
  }

  /** Pain assessments of the patient recorded within the window, oldest first. */
  painScoresIn(window: Interval): PainScore[] {
    return this.patient.painScores.filter((s) => during(s.time, window));
  }

  get chemotherapyEvents(): readonly ChemotherapyEvent[] {
    return this.patient.chemotherapyEvents;
  }

  /** Every medication order of the patient, with its drug identity. */
  get orders(): readonly OrderFact[] {
    return this.patient.orders;
  }

  /** Antineoplastic orders that still plan chemotherapy. */
  get plannedChemotherapy(): readonly string[] {
    return plannedChemotherapy(this.patient.orders);
  }

  /** Plan-of-care evidence for pain documented at this visit (PAIN-003). */
  get painPlanEvidence(): readonly string[] {
    if (!this.plan) {
      const today = new Set(this.snapshot.thisEncounter.medicationRequests);
      this.plan = painPlanEvidence(
        this.snapshot,
        this.terminology,
        this.patient.orders.filter((o) => today.has(o.request)),
        this.codes.all,
      );
    }
    return this.plan;
  }

  /** Cancer-directed treatment in this encounter: antineoplastic given, chemo administration or RT delivery coded. */
  get cancerTreatmentToday(): readonly string[] {
    this.treatmentToday ??= [
      ...this.antineoplasticsGiven.map((a) => a.reference),
      ...this.codes.in('chemotherapy-administration-code').map((c) => c.reference),
      ...this.codes.in('radiation-delivery').map((c) => c.reference),
    ];
    return this.treatmentToday;
  }

  /** The patient's care plans (treatment intent, plan of care). */
  get carePlans(): readonly CarePlan[] {
    return this.snapshot.carePlans;
  }

  /** This encounter's Procedures (performed services), as recorded. */
  get procedures(): readonly Procedure[] {
    return this.snapshot.thisEncounter.procedures;
  }

  /** The Conditions this encounter's Procedures and MedicationAdministrations name as their reason. */
  get indicationsToday(): readonly Indication[] {
    const here = this.snapshot.thisEncounter;
    const sources = [
      ...here.procedures.map((p) => ({ from: `Procedure/${p.id ?? ''}`, reasons: p.reasonReference ?? [] })),
      ...here.medicationAdministrations.map((m) => ({
        from: `MedicationAdministration/${m.id ?? ''}`,
        reasons: m.reasonReference ?? [],
      })),
    ];
    return sources.flatMap(({ from, reasons }) =>
      reasons.flatMap((reason) => {
        const target = this.snapshot.resolve(reason);
        return target?.resourceType === 'Condition'
          ? [{ from, reference: `Condition/${target.id ?? ''}`, code: icd10Of(target.code, this.terminology) }]
          : [];
      }),
    );
  }
}

export function encounterFacts(snapshot: PatientSnapshot, terminology: Terminology): EncounterFacts {
  return new EncounterFacts(snapshot, terminology);
}
