][

n0Placeholder

n1MatMul

n2BiasAdd


n3Relu

n4SaveV2

n5	RestoreV2