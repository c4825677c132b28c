"""The AdamW step both fixture generators record: OpenCLIP's own optimizer construction (open_clip_train.optim:
create_optimizer with the two weight-decay groups make_wd_exclude draws) at one set of constants, and the manifest
entry describing it (the constants plus which parameters fell in which group)."""
from open_clip_train.optim import OptimizerCfg, create_optimizer, make_wd_exclude

ADAMW = {"opt": "adamw", "lr": 0.001, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.98, "eps": 1e-06}


def create(model):
    """OpenCLIP's AdamW over `model` and the names of its trainable parameters per group ("no_wd", "wd")."""
    cfg = OptimizerCfg(opt="adamw", lr=ADAMW["lr"], weight_decay=ADAMW["weight_decay"], beta1=ADAMW["beta1"],
                       beta2=ADAMW["beta2"], eps=ADAMW["eps"])
    opt = create_optimizer(model, cfg)
    exclude = make_wd_exclude(model)
    groups = {"no_wd": [], "wd": []}
    for n, p in model.named_parameters():
        if p.requires_grad:
            groups["no_wd" if exclude(n, p) else "wd"].append(n)
    return opt, groups


def describe(groups, torch_optimizer):
    """The manifest's "adamw" entry: the constants, how the optimizer was made, and the decay groups."""
    return dict(ADAMW, torch_optimizer=torch_optimizer,
                param_groups={"no_wd": {"weight_decay": 0.0, "params": groups["no_wd"]},
                              "wd": {"weight_decay": ADAMW["weight_decay"], "params": groups["wd"]}})
