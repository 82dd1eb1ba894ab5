

n0PyFuncStateless