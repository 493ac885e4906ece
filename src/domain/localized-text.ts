/** A label shown to people in both of the panel's languages: Russian first, English second. */
export interface LocalizedText {
  readonly ru: string;
  readonly en: string;
}
