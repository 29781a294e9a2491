// Validates Kubernetes objects (a JSON array on stdin) against the API's schemas, with
// kubernetes-models and @kubernetes-models/keda: ES modules only, so run by plain Node
// rather than inside Jest. Prints a JSON array of the problems found (empty when none).
import process from 'node:process';

const MODULES = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const object of JSON.parse(input)) {
  const where = `${object.kind}/${object.metadata?.name}`;
  const module = MODULES[object.apiVersion];
  if (!module) {
    problems.push(`${where}: no schema for apiVersion ${object.apiVersion}`);
    continue;
  }
  const Model = (await import(module))[object.kind];
  if (!Model) {
    problems.push(`${where}: no schema for kind ${object.kind} in ${object.apiVersion}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
