from jifen.scoring.engine_command import EngineCommand


class Command(EngineCommand):
    help = "按积分办法计算一个期间的结果 (evaluate a scheme over entries)"
    subcommand = "evaluate"
