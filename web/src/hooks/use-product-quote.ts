import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { CalculatorParameter, ParameterValue, ProductCalculator, Quote } from '../types';

/** What the product's calculator has chosen so far: the body of POST /products/{id}/quote(s). */
export interface QuoteChoice {
  quantity: number | string;
  parameters: Record<string, ParameterValue>;
}

export interface ProductQuote {
  /** The form as the engine offers it for the values chosen so far; undefined until loaded. */
  form: ProductCalculator | undefined;
  formError: unknown;
  formLoading: boolean;
  reloadForm(): Promise<void>;
  /** As typed (a presets' datalist or free text); sent as a number when it is one. */
  quantity: string;
  setQuantity(value: string): void;
  values: Record<string, ParameterValue>;
  setValue(key: string, value: ParameterValue): void;
  /** The price of the current choice; null while it is asked or when it could not be given. */
  quote: Quote | null;
  /** Why there is no price (a 400 on a parameter, a 503 from the engine), or null. */
  error: unknown;
  /** True while the current choice is still to be priced. */
  pricing: boolean;
  choice(): QuoteChoice;
}

function initialValues(parameters: readonly CalculatorParameter[]): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const p of parameters) if (p.default !== undefined) values[p.key] = p.default;
  return values;
}

/** The chosen values the narrowed form still offers; a value it no longer offers falls back to the default. */
function keptValues(form: ProductCalculator, chosen: Record<string, ParameterValue>): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const p of form.parameters) {
    const value = chosen[p.key];
    const offered = value !== undefined && (!p.options || p.options.some((o) => o.value === String(value)));
    if (offered) values[p.key] = value;
    else if (p.default !== undefined) values[p.key] = p.default;
  }
  return values;
}

function quantityValue(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/**
 * A product priced by whichever calculator its category uses (the shop's tiers, or another
 * system's), as the panel's calculator preview and the new order's lines both show it: the form
 * is asked again with the values chosen so far (an engine with dependent options offers only
 * those still possible), and the choice is priced a moment after the last change — an older
 * answer never replaces a newer one.
 */
export function useProductQuote(productId: number): ProductQuote {
  const [form, setForm] = useState<ProductCalculator | undefined>(undefined);
  const [formError, setFormError] = useState<unknown>(null);
  const [formLoading, setFormLoading] = useState(true);
  const [quantity, setQuantity] = useState('1');
  const [values, setValues] = useState<Record<string, ParameterValue>>({});
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pricing, setPricing] = useState(true);
  const formGeneration = useRef(0);
  const quoteGeneration = useRef(0);

  const reloadForm = useCallback(async () => {
    const mine = ++formGeneration.current;
    setFormLoading(true);
    setFormError(null);
    try {
      const loaded = await api<ProductCalculator>('GET', `/products/${productId}/calculator`);
      if (mine !== formGeneration.current) return;
      setForm(loaded);
      setValues(initialValues(loaded.parameters));
      setQuantity(String(loaded.quantity.presets?.[0] ?? loaded.quantity.min ?? 1));
    } catch (e) {
      if (mine === formGeneration.current) setFormError(e);
    } finally {
      if (mine === formGeneration.current) setFormLoading(false);
    }
  }, [productId]);

  useEffect(() => {
    setForm(undefined);
    setQuote(null);
    void reloadForm();
  }, [reloadForm]);

  const setValue = useCallback(
    (key: string, value: ParameterValue) => {
      const next = { ...values };
      if (value === '') delete next[key];
      else next[key] = value;
      setValues(next);
      const mine = ++formGeneration.current;
      api<ProductCalculator>('GET', `/products/${productId}/calculator?parameters=${encodeURIComponent(JSON.stringify(next))}`).then(
        (narrowed) => {
          if (mine !== formGeneration.current) return;
          setForm((current) => (current && JSON.stringify([current.parameters, current.quantity]) === JSON.stringify([narrowed.parameters, narrowed.quantity]) ? current : narrowed));
          setValues((current) => {
            const kept = keptValues(narrowed, current);
            return JSON.stringify(kept) === JSON.stringify(current) ? current : kept;
          });
        },
        // The price request says what is wrong.
        () => undefined,
      );
    },
    [productId, values],
  );

  useEffect(() => {
    if (!form) return;
    const mine = ++quoteGeneration.current;
    setPricing(true);
    const timer = setTimeout(() => {
      api<Quote>('POST', `/products/${productId}/quote`, { quantity: quantityValue(quantity), parameters: values }).then(
        (answer) => {
          if (mine !== quoteGeneration.current) return;
          setQuote(answer);
          setError(null);
          setPricing(false);
        },
        (e: unknown) => {
          if (mine !== quoteGeneration.current) return;
          setQuote(null);
          setError(e);
          setPricing(false);
        },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [productId, form, quantity, values]);

  const choice = useCallback((): QuoteChoice => ({ quantity: quantityValue(quantity), parameters: { ...values } }), [quantity, values]);

  return { form, formError, formLoading, reloadForm, quantity, setQuantity, values, setValue, quote, error, pricing, choice };
}
