/** A BIOS setting with its registry facts, as drivers report it and the API shows it. */
export interface BiosSetting {
  name: string;
  value: string | null;
  attribute_type?: string | null;
  allowable_values?: string[] | null;
  lower_bound?: number | null;
  upper_bound?: number | null;
  min_length?: number | null;
  max_length?: number | null;
  read_only?: boolean | null;
  reset_required?: boolean | null;
  unique?: boolean | null;
}
