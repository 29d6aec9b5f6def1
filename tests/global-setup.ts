// Placeholder: replaced by the environment/CI work (Docker engine check and leak check).
export default function setup(): void {}
