// The filters of the inbox and of search, and their translation into a FilterDto.

import type { FilterDto_Deserialize, KindDto, MarkingDto, PrecedenceDto, SectionDto } from '../bindings';

export const KINDS: KindDto[] = ['telegram', 'note', 'email'];
export const MARKINGS: MarkingDto[] = ['np', 'dr'];
export const PRECEDENCES: PrecedenceDto[] = ['routine', 'prioritaire', 'immediat', 'flash'];
export const SECTIONS: SectionDto[] = ['action', 'info', 'unrouted'];

export interface FilterState {
  kinds: KindDto[];
  markings: MarkingDto[];
  precedences: PrecedenceDto[];
  origin: string;
  tag: string;
  unreadOnly: boolean;
}

export const EMPTY_FILTER: FilterState = { kinds: [], markings: [], precedences: [], origin: '', tag: '', unreadOnly: false };

/** The section the inbox opens on. */
export const FIRST_SECTION: SectionDto = 'action';

/** Adds `value` to `list` or removes it, keeping the canonical order of `all`. */
export function toggle<T>(list: T[], value: T, all: T[]): T[] {
  const has = list.includes(value);
  return all.filter((v) => (v === value ? !has : list.includes(v)));
}

export function toFilterDto(f: FilterState, section: SectionDto | null): FilterDto_Deserialize {
  return {
    section,
    kinds: [...f.kinds],
    markings: [...f.markings],
    precedences: [...f.precedences],
    origin: f.origin.trim() || null,
    tag: f.tag.trim() || null,
    unreadOnly: f.unreadOnly,
  };
}

/** A stable key of a filter, to tell when a list must start over. */
export function filterKey(f: FilterDto_Deserialize): string {
  return JSON.stringify([f.section ?? null, f.kinds, f.markings, f.precedences, f.origin ?? null, f.tag ?? null, f.unreadOnly]);
}
