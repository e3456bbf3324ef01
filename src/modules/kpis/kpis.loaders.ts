import { defineByIdLoader } from '../../common/loaders';
import { Kpi, KpiAlert } from './kpi.entity';

export const kpiById = defineByIdLoader(Kpi, 'Kpi');
export const kpiAlertById = defineByIdLoader(KpiAlert, 'KpiAlert');
