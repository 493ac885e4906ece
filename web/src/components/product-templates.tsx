import { isShown, loadIntegrationsView } from '../integrations';
import { ProductTemplateBlock } from './product-template-block';
import { ProductTemplateFileBlock } from './product-template-file-block';
import { ErrorBanner, useLoad } from './ui';

/**
 * The template blocks of the product card: one per integration that prices products by its
 * system's templates, while it is switched on or configured (as the server describes them).
 */
export function ProductTemplates({ productId, onChanged }: { productId: number; onChanged(): void }) {
  const view = useLoad(loadIntegrationsView, []);
  if (view.error) return <ErrorBanner error={view.error} onRetry={() => void view.reload()} />;
  const shown = (view.data?.panel ?? []).filter((integration) => integration.productTemplate && isShown(integration));
  const files = (view.data?.panel ?? []).filter((integration) => integration.productTemplateFile && isShown(integration));
  return (
    <>
      {shown.map((integration) => (
        <ProductTemplateBlock key={integration.name} integration={integration} texts={integration.productTemplate!} productId={productId} onChanged={onChanged} />
      ))}
      {files.map((integration) => (
        <ProductTemplateFileBlock key={`${integration.name}-file`} integration={integration} texts={integration.productTemplateFile!} productId={productId} onChanged={onChanged} />
      ))}
    </>
  );
}
